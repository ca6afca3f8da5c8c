# Models arrive with the charging issue.
