package io.fedtt.cli.predict;

import java.util.List;

/**
 * Greedy generation for {@code fedtt predict}: for each prompt (token ids, no padding), the new tokens,
 * each the arg-max of the next-token logits, until a stop id (kept as the last token) or
 * {@code maxNewTokens}. Its signature is that of the worker's {@code GreedyDecoder.generate} (branch
 * smollm2), so that decoder can take over from {@link ArgmaxDecoder} as {@code decoder::generate}.
 */
@FunctionalInterface
interface Generator {

    List<long[]> generate(List<long[]> prompts, int maxNewTokens, long... stopIds);
}
