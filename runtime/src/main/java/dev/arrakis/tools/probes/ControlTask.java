package dev.arrakis.tools.probes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Hewitt and Liang's (2019) control task: every token type gets one random label, so a probe can score on it only by
 * memorising types, never by reading the property. Each type's own label (its most frequent one, the smallest on a
 * tie) is collected, that list of labels is shuffled among the types (seeded), and every example takes its type's new
 * label: the number of types in each class is the real task's.
 */
public final class ControlTask {
    private ControlTask() {}

    /**
     * @param types the token type of each example
     * @param labels the real label of each example
     * @return the control label of each example
     */
    public static int[] labels(long[] types, int[] labels, long seed) {
        if (types.length != labels.length) {
            throw new ProbeException("a control task needs one type per label: got " + types.length + " types, "
                    + labels.length + " labels");
        }
        Map<Long, Map<Integer, Integer>> counts = new LinkedHashMap<>();
        for (int i = 0; i < types.length; i++) {
            counts.computeIfAbsent(types[i], type -> new LinkedHashMap<>()).merge(labels[i], 1, Integer::sum);
        }
        List<Long> typeOrder = new ArrayList<>(counts.keySet());
        List<Integer> typeLabels = new ArrayList<>();
        for (long type : typeOrder) {
            int best = Integer.MAX_VALUE;
            int bestCount = 0;
            for (Map.Entry<Integer, Integer> entry : counts.get(type).entrySet()) {
                if (entry.getValue() > bestCount || entry.getValue() == bestCount && entry.getKey() < best) {
                    best = entry.getKey();
                    bestCount = entry.getValue();
                }
            }
            typeLabels.add(best);
        }
        Collections.shuffle(typeLabels, new Random(seed));
        Map<Long, Integer> assigned = new LinkedHashMap<>();
        for (int t = 0; t < typeOrder.size(); t++) {
            assigned.put(typeOrder.get(t), typeLabels.get(t));
        }
        int[] control = new int[types.length];
        for (int i = 0; i < types.length; i++) {
            control[i] = assigned.get(types[i]);
        }
        return control;
    }
}
