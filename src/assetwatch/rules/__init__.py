"""Pure rules: ``(state, observation(s), params) -> (state', events)``, no I/O."""
