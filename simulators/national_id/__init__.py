"""National e-ID simulator: an OpenID Connect provider over the synthetic population."""
