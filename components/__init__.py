"""SecureCart network tiers: one typed ComponentResource per tier, and the typed stack settings."""
