"""The domain: one module per aggregate, with its model, its rules and its operations."""

import datetime
import sqlite3

# Tortoise 1.1.9 teaches sqlite3 to store dates and datetimes but not times, so a TimeField
# (an institution's opening hours) cannot be written on SQLite without this. Same ISO text as
# its TimeField reads back; PostgreSQL is not affected.
sqlite3.register_adapter(datetime.time, datetime.time.isoformat)
