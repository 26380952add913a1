"""Service layer: each public function that writes owns one transaction."""
