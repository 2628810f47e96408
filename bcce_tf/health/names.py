"""The names of doctor's live components, importable without AWS or config code (the CLI's help
lists them; bcce --help must stay light). registry.COMPONENTS has exactly these keys."""

LIVE_COMPONENTS = ("credentials", "stacks", "security", "services", "orphans", "cost", "aws-clients")
