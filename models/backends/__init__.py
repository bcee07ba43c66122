"""The database backends the service names in its Tortoise configuration: Tortoise's own, with
rows read into instances by `models.reading`."""
