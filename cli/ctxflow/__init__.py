"""The `ctxflow` CLI: `core` (what all commands share), `stack`, `simulate`, `watch`, `bench`, `demo`."""
