"""Model adapters: they load real models lazily and expose their vectors."""
