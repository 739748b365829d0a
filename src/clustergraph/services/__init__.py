"""Services: the work behind every command and HTTP route; they return values and raise errors."""
