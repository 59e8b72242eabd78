"""Results publisher for the Xinzhou annual assessment of vocational-skill evaluation institutions."""

__version__ = "0.1.0"
