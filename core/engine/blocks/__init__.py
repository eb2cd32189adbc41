"""The kinds of strategy block (an owned mining fleet, hosted miners, AI colocation, GPU
cloud), one module each: what a block draws, when it operates, what it owns and what it adds
to its strategy's months. The rest of the engine asks a block's kind (``kinds.kind_of``)."""
