package io.fedtt.worker.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A Hugging Face tokenizer read from a local tokenizer.json (no hub access): adds special tokens,
 * truncates to the maximum sequence length and pads each batch only to its longest text.
 */
public final class TextTokenizer implements AutoCloseable {

    /**
     * Characters of a text kept per token of {@code maxSequenceLength}: only that many tokens are used,
     * a token covers at least one character, and real text averages four or five. The cut keeps a
     * 50 MB row from growing the tokenizer (it encodes the whole text before truncating) to gigabytes;
     * no example in examples/data is longer than 2,000 characters, well under 64 x 64.
     */
    public static final int CHARS_PER_TOKEN = 64;

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, int maxLength) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
    }

    public static TextTokenizer load(Path tokenizerJson, int maxLength) throws IOException {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxSequenceLength must be at least 2, got " + maxLength);
        }
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new IOException("tokenizer file not found: " + tokenizerJson);
        }
        HuggingFaceTokenizer t = HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerJson)
                .optAddSpecialTokens(true)
                .optTruncation(true)
                .optMaxLength(maxLength)
                .optPadding(true) // dynamic: pad to the longest text of each batch
                .build();
        return new TextTokenizer(t, maxLength);
    }

    public int maxLength() {
        return maxLength;
    }

    public TokenBatch encode(List<String> texts) {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("cannot tokenize an empty batch");
        }
        List<String> bounded = texts;
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).length() > (long) maxLength * CHARS_PER_TOKEN) {
                bounded = texts.stream().map(t -> cut(t, maxLength)).toList();
                break;
            }
        }
        Encoding[] enc = tokenizer.batchEncode(bounded);
        int length = enc[0].getIds().length;
        int b = enc.length;
        long[] ids = new long[b * length];
        long[] mask = new long[b * length];
        long[] types = new long[b * length];
        for (int i = 0; i < b; i++) {
            if (enc[i].getIds().length != length) {
                throw new IllegalStateException("tokenizer returned rows of different lengths");
            }
            System.arraycopy(enc[i].getIds(), 0, ids, i * length, length);
            System.arraycopy(enc[i].getAttentionMask(), 0, mask, i * length, length);
            System.arraycopy(enc[i].getTypeIds(), 0, types, i * length, length);
        }
        return new TokenBatch(b, length, ids, mask, types);
    }

    /** The ids of one text, truncated at the max length and unpadded, with or without the tokenizer's special tokens. */
    public long[] ids(String text, boolean addSpecialTokens) {
        return tokenizer.encode(cut(text, maxLength), addSpecialTokens, false).getIds();
    }

    /** Text for token ids, special tokens left out. */
    public String decode(long[] ids) {
        return tokenizer.decode(ids, true);
    }

    /**
     * The first {@code maxLength x CHARS_PER_TOKEN} characters of {@code text} (never half a surrogate
     * pair): all the tokenizer needs to find the first {@code maxLength} tokens.
     */
    public static String cut(String text, int maxLength) {
        long cap = (long) maxLength * CHARS_PER_TOKEN;
        if (text.length() <= cap) {
            return text;
        }
        int end = (int) cap;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
