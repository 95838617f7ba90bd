"""A1111's ``modules.api``: the pydantic models and the routes of its HTTP API that extensions meet."""
