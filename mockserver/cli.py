"""The ``mockserver`` command line."""

from __future__ import annotations

import importlib

import click

from mockserver import __version__


class _LazyGroup(click.Group):
    """A group whose commands are imported when they run (or ``--help`` lists them):
    ``mockserver docs`` need not load the server, nor ``serve`` the contract tester."""

    LAZY = {
        "serve": "mockserver.serve_cli:serve",
        "contract": "mockserver.contract_cli:contract_command",
        "docs": "mockserver.docs.cli:docs_command",
        "proxy": "mockserver.proxy.cli:proxy_command",
        "diff": "mockserver.diff.cli:diff_command",
        "inspect": "mockserver.generic.cli:inspect_command",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            module, _, name = self.LAZY[cmd_name].partition(":")
            command: click.Command = getattr(importlib.import_module(module), name)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mockserver")
def main() -> None:
    """A stateful, validating mock of promotions APIs (VINR, Voucherify), with contract tests.

    \b
    Quick start:
      mockserver serve                      # VINR on http://127.0.0.1:8000
      mockserver serve --api voucherify     # Voucherify's campaigns API at the root
      mockserver serve --api vinr --api voucherify   # both, under /vinr and /voucherify
      mockserver serve --spec my-api.yaml   # any OpenAPI 3.0/3.1 document, stateful, inferred
      mockserver inspect my-api.yaml        # what that inference found
      mockserver contract --api vinr --base-url http://127.0.0.1:8000
    """
