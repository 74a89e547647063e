"""``python -m mockserver`` and the ``mockserver`` command."""

from __future__ import annotations


def main() -> None:
    """Run the command line, without the warnings our dependencies raise on import."""
    from mockserver.quiet import third_party_imports

    with third_party_imports():
        from mockserver.cli import main as cli

        cli()


if __name__ == "__main__":
    main()
