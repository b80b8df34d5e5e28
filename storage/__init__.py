"""The shared state's storage (storage.database): SQLite files under the data directory by
default, or one PostgreSQL database for a fleet (SUPPORT_CREW_DATABASE_URL), with the same
numbered migrations and the same exactly-once transactions on both.

May import: core.
"""
