"""Enterprises (生产经营单位) and inspectors (执法人员): the reference data every inspection points at."""
