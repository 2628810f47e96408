"""bcce: roll out Claude Code on Amazon Bedrock with Terraform."""

__version__ = "0.1.0"
