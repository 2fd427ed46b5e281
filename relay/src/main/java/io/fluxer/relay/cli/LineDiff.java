package io.fluxer.relay.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff of two texts by lines ({@code ---}/{@code +++} headers, {@code @@} hunks with three
 * lines of context), from their longest common subsequence. For stack files: texts of more than
 * {@link #MAX_LINES} lines are shown as replaced whole rather than compared.
 */
final class LineDiff {
  static final int MAX_LINES = 4000;
  private static final int CONTEXT = 3;

  private LineDiff() {}

  /** The diff's lines; empty when the texts have the same lines. */
  static List<String> unified(String a, String b, String nameA, String nameB) {
    String[] x = lines(a);
    String[] y = lines(b);
    // ops: ' ' same, '-' only in a, '+' only in b; with the line and its numbers in a and b
    List<char[]> kinds = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    if (x.length > MAX_LINES || y.length > MAX_LINES) {
      for (String s : x) {
        kinds.add(new char[] {'-'});
        texts.add(s);
      }
      for (String s : y) {
        kinds.add(new char[] {'+'});
        texts.add(s);
      }
    } else {
      int[][] lcs = new int[x.length + 1][y.length + 1];
      for (int i = x.length - 1; i >= 0; i--) {
        for (int j = y.length - 1; j >= 0; j--) {
          lcs[i][j] = x[i].equals(y[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
        }
      }
      int i = 0;
      int j = 0;
      while (i < x.length || j < y.length) {
        if (i < x.length && j < y.length && x[i].equals(y[j])) {
          kinds.add(new char[] {' '});
          texts.add(x[i]);
          i++;
          j++;
        } else if (j < y.length && (i == x.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
          kinds.add(new char[] {'+'});
          texts.add(y[j]);
          j++;
        } else {
          kinds.add(new char[] {'-'});
          texts.add(x[i]);
          i++;
        }
      }
    }
    List<String> out = new ArrayList<>();
    int n = kinds.size();
    int k = 0;
    int lineA = 1;
    int lineB = 1;
    while (k < n) {
      if (kinds.get(k)[0] == ' ') {
        k++;
        lineA++;
        lineB++;
        continue;
      }
      // a hunk: from CONTEXT lines before this change to CONTEXT lines after the last change near it
      int start = Math.max(0, k - CONTEXT);
      int startA = lineA - (k - start);
      int startB = lineB - (k - start);
      int end = k;
      int same = 0;
      for (int m = k; m < n; m++) {
        if (kinds.get(m)[0] == ' ') {
          same++;
          if (same > 2 * CONTEXT) {
            break;
          }
        } else {
          same = 0;
          end = m;
        }
      }
      int stop = Math.min(n, end + 1 + CONTEXT);
      int countA = 0;
      int countB = 0;
      List<String> hunk = new ArrayList<>();
      for (int m = start; m < stop; m++) {
        char c = kinds.get(m)[0];
        countA += c != '+' ? 1 : 0;
        countB += c != '-' ? 1 : 0;
        hunk.add(c + texts.get(m));
      }
      if (out.isEmpty()) {
        out.add("--- " + nameA);
        out.add("+++ " + nameB);
      }
      out.add("@@ -" + startA + "," + countA + " +" + startB + "," + countB + " @@");
      out.addAll(hunk);
      for (int m = k; m < stop; m++) {
        char c = kinds.get(m)[0];
        lineA += c != '+' ? 1 : 0;
        lineB += c != '-' ? 1 : 0;
      }
      k = stop;
    }
    return out;
  }

  private static String[] lines(String text) {
    if (text.isEmpty()) {
      return new String[0];
    }
    String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    return t.split("\n", -1);
  }
}
