"""The API's shape: Strawberry types, inputs, enums, errors and result unions."""
