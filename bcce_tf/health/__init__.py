"""Live health of what bcce deployed: one small check per concern, grouped by component in
`registry.COMPONENTS`, run concurrently under timeouts by the readiness runner."""
