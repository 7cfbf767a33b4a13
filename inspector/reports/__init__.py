"""执法统计: the monthly enforcement report, its spreadsheet, and the file of one enterprise."""
