"""Accounts: users, roles, sign-in, and the policies that say who may do what (accounts.policies)."""
