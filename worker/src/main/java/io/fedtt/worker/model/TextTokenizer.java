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
        Encoding[] enc = tokenizer.batchEncode(texts);
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

    @Override
    public void close() {
        tokenizer.close();
    }
}
