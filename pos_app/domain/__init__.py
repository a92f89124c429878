"""Pure rules of the product: money, card checks, donation states. No Qt, no I/O."""
