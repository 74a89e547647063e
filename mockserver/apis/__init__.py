"""The APIs the mock can serve, one package each (models, responses, exceptions)."""
