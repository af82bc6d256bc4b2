// WordFreq.java -- generate text with an LCG, split it into words, count them in a map
// and print the ten most frequent words (by count, then alphabetically).
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

public class WordFreq {
    static final String[] WORDS = {"the", "of", "and", "to", "in", "a", "is", "that", "for", "it",
        "as", "was", "with", "be", "by", "on", "not", "he", "this", "are"};
    static final String[] SUFFIXES = {"", "s", "ed", "ing", "ly"};

    static long seed = 12345;

    static long nextRand() {
        seed = (seed * 1664525L + 1013904223L) % 4294967296L;
        return seed >> 8;
    }

    public static void main(String[] args) {
        int n = 1500000;
        int perLine = 10;

        List<String> lines = new ArrayList<>();
        List<String> line = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long a = nextRand() % 20;
            long b = nextRand() % (a + 1);
            long s = nextRand() % 5;
            line.add(WORDS[(int) b] + SUFFIXES[(int) s]);
            if (line.size() == perLine) {
                lines.add(String.join(" ", line));
                line = new ArrayList<>();
            }
        }
        if (!line.isEmpty()) lines.add(String.join(" ", line));
        String text = String.join("\n", lines);

        HashMap<String, Integer> counts = new HashMap<>();
        long total = 0;
        for (String l : text.split("\n", -1)) {
            for (String w : l.split(" ", -1)) {
                if (!w.isEmpty()) {
                    counts.merge(w, 1, Integer::sum);
                    total++;
                }
            }
        }

        List<String> words = new ArrayList<>(counts.keySet());
        words.sort((a, b) -> {
            int ca = counts.get(a), cb = counts.get(b);
            if (ca != cb) return cb - ca;
            return a.compareTo(b);
        });

        System.out.println(text.length() + " bytes, " + total + " words, " + counts.size() + " distinct");
        for (int i = 0; i < Math.min(10, words.size()); i++) {
            System.out.println(words.get(i) + " " + counts.get(words.get(i)));
        }
    }
}
