"""Population database simulator: the look-up of DOMAIN §9 over a synthetic population."""
