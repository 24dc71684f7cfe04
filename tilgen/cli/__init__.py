"""The command-line interface: thin typer callbacks over the core."""
