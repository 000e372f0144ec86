"""Sans-IO encoding: JavaScript-exact JSON and its signature, ISO code lists."""
