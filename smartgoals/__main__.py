"""``python -m smartgoals`` runs the CLI."""

from smartgoals.cli import main

main()
