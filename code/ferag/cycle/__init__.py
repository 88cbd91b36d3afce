"""The update cycle: steps, lifecycle and stage configs."""
