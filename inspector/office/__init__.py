"""The office server: enrolled laptops push their changes, pull their county's records, upload photos and PDFs.

A separate program using the core (`inspector office serve`). It keeps its own schema (office_* tables, its
own Alembic history) on SQLite for one office or PostgreSQL for a city or province, and no state in the
process, so that several server processes can share one PostgreSQL database and one blob folder.
"""
