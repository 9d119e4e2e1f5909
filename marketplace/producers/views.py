"""Public shop pages of producers."""

from flask import Blueprint

bp = Blueprint("producers", __name__)
