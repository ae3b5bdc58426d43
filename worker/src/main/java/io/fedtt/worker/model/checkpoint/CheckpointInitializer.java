package io.fedtt.worker.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A parameter's initial value read from a checkpoint by name, so that initializing a pretrained
 * model allocates each weight once, already holding its value, in its storage type.
 */
public final class CheckpointInitializer implements Initializer {

    private final SafetensorsCheckpoint checkpoint;
    private final String name;
    private final DataType storage;

    /** @param storage the array's element type; null keeps the checkpoint's */
    public CheckpointInitializer(SafetensorsCheckpoint checkpoint, String name, DataType storage) {
        this.checkpoint = checkpoint;
        this.name = name;
        this.storage = storage;
    }

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        try {
            NDArray a = checkpoint.read(name, manager, storage);
            if (!a.getShape().equals(shape)) {
                a.close();
                throw new IllegalStateException("tensor '" + name + "' is " + a.getShape() + ", expected " + shape);
            }
            return a;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
