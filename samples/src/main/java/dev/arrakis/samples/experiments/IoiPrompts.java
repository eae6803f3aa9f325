package dev.arrakis.samples.experiments;

import dev.arrakis.experiment.ModelInput;
import dev.arrakis.hooks.Logits;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.model.Tokenizer;
import dev.arrakis.model.Tokenizer.Bos;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Indirect-object-identification prompts (Wang et al. 2022): a sentence that introduces two names, repeats one (the
 * subject, S) and stops where the other (the indirect object, IO) should follow, as in "When Mary and John went to the
 * store, John gave a drink to". Each prompt is tokenized with BOS in front (as TransformerLens does) and the batch is
 * left-padded, so the last position of every row is where the IO is predicted.
 *
 * @param texts the prompts as text, without the answer
 * @param prompts their token ids, BOS first
 * @param indirectObject the IO's token (with its leading space) per prompt: the right answer
 * @param subject the S's token per prompt: the wrong answer the metric compares with
 * @param padId the id the batch is left-padded with (masked out of attention)
 */
public record IoiPrompts(List<String> texts, List<long[]> prompts, long[] indirectObject, long[] subject, long padId)
        implements ModelInput {

    /**
     * What prompts are made of: templates with {@code [A]} the IO and {@code [B]} the subject (the BABA form, the final
     * {@code [A]} cut off; swapping the first two names gives the ABBA form), names, places and objects.
     */
    public record Dataset(List<String> babaTemplates, List<String> names, List<String> places, List<String> objects) {
        /**
         * A documented subset of the paper's dataset, as TransformerLens's {@code ioi_dataset} has it: five of its
         * {@code BABA_TEMPLATES}, twelve of its {@code NAMES}, eight of its {@code PLACES} and {@code OBJECTS}.
         */
        public static final Dataset PAPER_SUBSET = new Dataset(
                List.of("Then, [B] and [A] went to the [PLACE]. [B] gave a [OBJECT] to",
                        "Then, [B] and [A] had a lot of fun at the [PLACE]. [B] gave a [OBJECT] to",
                        "When [B] and [A] got a [OBJECT] at the [PLACE], [B] decided to give it to",
                        "After [B] and [A] went to the [PLACE], [B] gave a [OBJECT] to",
                        "While [B] and [A] were working at the [PLACE], [B] gave a [OBJECT] to"),
                List.of("Mary", "John", "James", "Michael", "Sarah", "David", "Laura", "Thomas", "Rachel", "Daniel",
                        "Jessica", "Paul"),
                List.of("store", "garden", "restaurant", "school", "hospital", "office", "house", "station"),
                List.of("ring", "kiss", "bone", "basketball", "computer", "necklace", "drink", "snack"));

        public Dataset {
            babaTemplates = List.copyOf(babaTemplates);
            names = List.copyOf(names);
            places = List.copyOf(places);
            objects = List.copyOf(objects);
            if (babaTemplates.isEmpty() || names.size() < 2 || places.isEmpty() || objects.isEmpty()) {
                throw new IllegalArgumentException("an IOI dataset needs a template, two names, a place and an object");
            }
        }
    }

    public IoiPrompts {
        texts = List.copyOf(texts);
        prompts = List.copyOf(prompts);
        if (prompts.isEmpty() || texts.size() != prompts.size() || indirectObject.length != prompts.size()
                || subject.length != prompts.size()) {
            throw new IllegalArgumentException("one text, one IO and one subject token per prompt");
        }
    }

    /**
     * {@code count} prompts that cycle through the templates, first all in ABBA form, then all in BABA form, and so
     * on, with two different names, a place and an object drawn by a {@link Random} of {@code seed}. Each name, with
     * a leading space, must be one token of the model's tokenizer (the answer is one token), otherwise a
     * {@link dev.arrakis.model.TokenizationException} names it (as it does a checkpoint without {@code tokenizer.json}).
     */
    public static IoiPrompts of(HookedTransformer model, Dataset dataset, int count, long seed) {
        List<String> names = dataset.names();
        Tokenizer tokenizer = model.requireTokenizer();
        long[] nameTokens = names.stream().mapToLong(name -> tokenizer.toSingleToken(" " + name)).toArray();
        Random random = new Random(seed);
        List<String> texts = new ArrayList<>();
        List<long[]> prompts = new ArrayList<>();
        long[] indirectObject = new long[count];
        long[] subject = new long[count];
        for (int i = 0; i < count; i++) {
            List<String> templates = dataset.babaTemplates();
            String template = templates.get(i % templates.size());
            if ((i / templates.size()) % 2 == 0) {
                template = template.replaceFirst("\\[B] and \\[A]", "[A] and [B]");   // ABBA
            }
            int io = random.nextInt(names.size());
            int s = (io + 1 + random.nextInt(names.size() - 1)) % names.size();
            String text = template.replace("[A]", names.get(io)).replace("[B]", names.get(s))
                    .replace("[PLACE]", dataset.places().get(random.nextInt(dataset.places().size())))
                    .replace("[OBJECT]", dataset.objects().get(random.nextInt(dataset.objects().size())));
            texts.add(text);
            prompts.add(tokenizer.encode(text, Bos.PREPEND));
            indirectObject[i] = nameTokens[io];
            subject[i] = nameTokens[s];
        }
        return new IoiPrompts(texts, prompts, indirectObject, subject, tokenizer.bosToken().orElseThrow());
    }

    @Override
    public TokenBatch tokens() {
        return TokenBatch.leftPadded(prompts, padId);
    }

    /** Mean over prompts of logit(IO) − logit(S) at the last position, where the IO should come next. */
    public double meanLogitDiff(Logits logits) {
        int last = tokens().sequenceLength() - 1;
        double sum = 0;
        for (int i = 0; i < prompts.size(); i++) {
            sum += logits.get(i, last, indirectObject[i]) - logits.get(i, last, subject[i]);
        }
        return sum / prompts.size();
    }
}
