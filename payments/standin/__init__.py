"""The local Stripe stand-in: see server.py."""
