"""`bcce credentials`: an AWS credential_process for the cognito-oidc identity track."""

from __future__ import annotations

import re
import sys

import typer

from bcce_tf.cli.common import options


def open_browser(url: str) -> None:
    """Open the sign-in page; the URL is printed too, for a machine without a browser."""
    import webbrowser

    print(f"Sign in at: {url}", file=sys.stderr)
    webbrowser.open(url)


def show_url(url: str) -> None:
    print(f"Open this address in a browser to sign in: {url}", file=sys.stderr)


def credentials_command(
    ctx: typer.Context,
    issuer_url: str = typer.Option(..., "--issuer-url", help="OpenID issuer to sign in at (the Cognito user pool: https://cognito-idp.<region>.amazonaws.com/<pool id>)."),
    client_id: str = typer.Option(..., "--client-id", help="App client id of the user pool (a public client: no secret)."),
    identity_pool_id: str = typer.Option(..., "--identity-pool-id", help="Cognito identity pool that hands out the AWS credentials."),
    redirect_uri: str = typer.Option("http://localhost:8400/callback", "--redirect-uri", help="Loopback redirect registered on the app client."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Print the sign-in address instead of opening a browser."),
    timeout: float = typer.Option(300, "--timeout", min=1, max=3600, help="Seconds to wait for the sign-in in the browser."),
) -> None:
    """Print AWS credentials in the credential_process format (Version 1), signing in when needed.
    Use it in ~/.aws/config: credential_process = bcce credentials --profile NAME --issuer-url ... ."""
    from datetime import datetime, timezone

    from bcce_tf.developer import oauth, signin
    from bcce_tf.developer.settings import PROFILE_RE
    from bcce_tf.errors import UsageError
    from bcce_tf.paths import state_dir

    opts = options(ctx)
    if not opts.profile:
        raise UsageError("--profile is required: the AWS profile whose credential_process this is (it names the cache)")
    if not PROFILE_RE.fullmatch(opts.profile):
        raise UsageError(f"--profile '{opts.profile}': 1-64 letters, digits and . _ -")
    if not opts.region:
        raise UsageError("--region is required: the region of the identity pool")
    if not re.fullmatch(r"[\w+]{1,128}", client_id):
        raise UsageError(f"--client-id '{client_id}': 1-128 letters, digits, _ and +")
    target = signin.Target(
        profile=opts.profile,
        issuer=oauth.check_issuer(issuer_url),
        client_id=client_id,
        identity_pool_id=oauth.check_pool_id(identity_pool_id),
        region=opts.region,
        redirect_uri=oauth.check_redirect(redirect_uri)[0],
    )
    got = signin.credentials(
        target,
        cache_file=signin.cache_path(state_dir(), opts.profile),
        now=lambda: datetime.now(timezone.utc),
        open_url=show_url if no_browser else open_browser,
        identity=signin.CognitoIdentity(opts.region, opts.endpoint_url),
        say=lambda line: print(line, file=sys.stderr),
        wait_seconds=timeout,
    )
    typer.echo(oauth.process_output(got))


def register(app: typer.Typer) -> None:
    app.command("credentials")(credentials_command)

