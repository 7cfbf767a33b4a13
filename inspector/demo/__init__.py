"""Demo data for 阳城县: fictional enterprises, inspectors and findings for trying the app out."""
