"""The API's shapes: object types, inputs, enums, typed errors and result unions, connections."""
