package io.fedtt.worker.train;

import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's autograd switch, which is per thread and on by default in a new thread. Optimizer
 * updates write parameters in place and evaluation must not build graphs, so both run with it off
 * whatever thread they are on; the previous state comes back on close.
 */
final class GradMode implements AutoCloseable {

    private final boolean previous;

    private GradMode(boolean enabled) {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    static GradMode disabled() {
        return new GradMode(false);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
