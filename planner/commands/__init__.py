"""CLI command modules; each adds its commands to planner.cli.planner_cli on import."""
