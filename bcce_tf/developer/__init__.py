"""What a developer's machine needs to use the deployed platform: Claude Code settings, the AWS
profile of the identity track, the sign-in that yields short-lived credentials."""
