//! The numbers `tradeoff validate` shows: initiatives by kind and class, effort against capacity,
//! the longest dependency chain, deadlines.
