package io.fedtt.worker.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class BertEmbeddingsTest {

    static BertConfig config(String type, int pad) {
        return new BertConfig(type, 100, 8, 1, 2, 16, "gelu", 0f, 0f, 16, 1, 1e-5f, pad);
    }

    @Test
    void bertPositionsCountFromZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ids = m.create(new long[] {5, 6, 7, 0, 9, 9, 0, 0}, new Shape(2, 4));
            NDArray pos = new BertEmbeddings(config("bert", 0)).positionIds(ids);
            assertArrayEquals(new long[] {0, 1, 2, 3}, pos.toLongArray());
        }
    }

    @Test
    void robertaPositionsStartAfterPaddingIdxAndSkipPadding() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ids = m.create(new long[] {0, 6, 7, 2, 0, 9, 2, 1}, new Shape(2, 4));
            NDArray pos = new BertEmbeddings(config("roberta", 1)).positionIds(ids);
            assertArrayEquals(new long[] {2, 3, 4, 5, 2, 3, 4, 1}, pos.toLongArray());
        }
    }

    @Test
    void sequenceLongerThanThePositionTableIsRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ids = m.zeros(new Shape(1, 17), ai.djl.ndarray.types.DataType.INT64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new BertEmbeddings(config("bert", 0)).positionIds(ids));
            assertTrue(e.getMessage().contains("max_position_embeddings 16"), e.getMessage());
        }
    }

    @Test
    void configRejectsUnsupportedModelTypeAndBadHeads() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BertConfig("deberta-v2", 100, 8, 1, 2, 16, "gelu", 0f, 0f, 16, 1, 1e-5f, 0));
        assertTrue(e.getMessage().contains("model_type 'deberta-v2'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new BertConfig("bert", 100, 8, 1, 3, 16, "gelu", 0f, 0f, 16, 1, 1e-5f, 0));
        assertTrue(e.getMessage().contains("num_attention_heads 3"), e.getMessage());
    }

    @Test
    void configJsonRoundTrips() throws Exception {
        BertConfig c = BertConfig.allMiniLmL6V2();
        assertEquals(c, BertConfig.fromJson(c.toJson()));
        assertTrue(config("roberta", 1).roberta());
    }
}
