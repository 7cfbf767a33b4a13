"""Official checklists (检查表): the TOML files in resources/checklists/, their validation and import."""
