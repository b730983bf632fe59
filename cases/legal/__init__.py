"""Legal cooperation: routing and tracking MLA and extradition requests (pure core, SPEC §6)."""
