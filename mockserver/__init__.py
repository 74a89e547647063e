"""A stateful, validating mock server and contract-testing toolkit for promotions APIs."""

__version__ = "0.1.0"
