"""OpenAPI 3.1 validators that read ``readOnly``/``writeOnly`` as 3.0 does.

openapi-core validates 3.1 values with plain JSON Schema 2020-12 (``OAS31Validator``), where
``readOnly`` and ``writeOnly`` are annotations: a request must then carry a required
``readOnly`` id, and a response may show a ``writeOnly`` password. Clients, generators and
Schemathesis read them as OpenAPI 3.0 spelt out: a ``readOnly`` property is not required in
a request (and is not sent), a ``writeOnly`` one is not required in a response (and never
shown). These validators apply exactly those rules to 3.1, as openapi-schema-validator's
``OAS30WriteValidator``/``OAS30ReadValidator`` do for 3.0.
"""

from __future__ import annotations

from jsonschema.validators import extend
from openapi_core.validation.schemas.factories import SchemaValidatorsFactory
from openapi_schema_validator import OAS30ReadValidator, OAS31Validator
from openapi_schema_validator import _keywords as oas_keywords

__all__ = ["OAS31ReadValidator", "OAS31WriteValidator", "read_factory", "write_factory"]

#: Requests: a required ``readOnly`` property may be left out (a sent one is still refused).
OAS31WriteValidator = extend(
    OAS31Validator,
    validators={"required": oas_keywords.write_required, "readOnly": oas_keywords.write_readOnly},
)
#: Responses: a required ``writeOnly`` property may be left out, and is never shown.
OAS31ReadValidator = extend(
    OAS31Validator,
    validators={"required": oas_keywords.read_required, "writeOnly": oas_keywords.read_writeOnly},
)

# openapi-core's 3.1 factory with the direction's validator and the same (3.0) format checker;
# a schema naming another dialect with ``$schema`` is validated as OAS 3.1 all the same
write_factory = SchemaValidatorsFactory(
    OAS31WriteValidator, format_checker=OAS30ReadValidator.FORMAT_CHECKER
)
read_factory = SchemaValidatorsFactory(
    OAS31ReadValidator, format_checker=OAS30ReadValidator.FORMAT_CHECKER
)
