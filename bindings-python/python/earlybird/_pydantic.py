"""Pydantic v2 support: the classes of earlybird as field types and FastAPI return types.

Every class's ``__get_pydantic_core_schema__`` (defined in Rust) calls :func:`core_schema_of`.
Records validate from an instance or a document through the core (``from_document``); every
class serialises as ``to_dict(mode="json")``, the canonical JSON with exact decimal strings.
Pydantic is imported only when a schema is asked for: earlybird does not depend on it.
"""

from __future__ import annotations

from typing import Any


def core_schema_of(cls: type, _source: Any, _handler: Any) -> Any:
    from pydantic_core import PydanticCustomError, core_schema

    from earlybird._earlybird import ValidationError

    serialization = core_schema.plain_serializer_function_ser_schema(
        lambda value: value.to_dict(mode="json"),
        return_schema=core_schema.dict_schema(),
    )
    from_document = getattr(cls, "from_document", None)
    if from_document is None:
        return core_schema.is_instance_schema(cls, serialization=serialization)

    def validate(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        try:
            return from_document(value)
        except ValidationError as error:
            raise PydanticCustomError(
                "earlybird_validation",
                "{message}",
                {
                    "message": str(error),
                    "code": error.code,
                    "problems": [problem.to_dict() for problem in error.problems],
                },
            ) from error

    return core_schema.no_info_plain_validator_function(
        validate,
        json_schema_input_schema=core_schema.dict_schema(),
        serialization=serialization,
    )
